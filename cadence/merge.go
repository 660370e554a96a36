package cadence

import "strings"

// MergePeople overlays override on base, person by person (matched by
// primary email, case-insensitively): every non-empty field of the
// override replaces the base's (aliases are united), and people only in
// override are added. It merges the Workspace directory (base: manager
// relation, ids, titles) with an HR CSV (override: hire and team-start
// dates, corrections). The result is in base order, then override order.
func MergePeople(base, override []Person) []Person {
	out := make([]Person, 0, len(base)+len(override))
	at := make(map[string]int, len(base))
	for _, p := range base {
		at[strings.ToLower(p.Email)] = len(out)
		p.Aliases = append([]string(nil), p.Aliases...)
		out = append(out, p)
	}
	for _, o := range override {
		i, ok := at[strings.ToLower(o.Email)]
		if !ok {
			at[strings.ToLower(o.Email)] = len(out)
			o.Aliases = append([]string(nil), o.Aliases...)
			out = append(out, o)
			continue
		}
		p := &out[i]
		if o.Name != "" {
			p.Name = o.Name
		}
		if o.Manager != "" {
			p.Manager = o.Manager
		}
		if !o.HireDate.IsZero() {
			p.HireDate = o.HireDate
		}
		if !o.TeamStart.IsZero() {
			p.TeamStart = o.TeamStart
		}
		if o.ID != "" {
			p.ID = o.ID
		}
		if o.Title != "" {
			p.Title = o.Title
		}
		if o.Department != "" {
			p.Department = o.Department
		}
		for _, a := range o.Aliases {
			dup := false
			for _, b := range p.Aliases {
				if strings.EqualFold(a, b) {
					dup = true
				}
			}
			if !dup {
				p.Aliases = append(p.Aliases, a)
			}
		}
		if o.Pos != "" {
			p.Pos = o.Pos
		}
	}
	return out
}
