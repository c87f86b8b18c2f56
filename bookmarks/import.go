package bookmarks

import (
	"context"
	"fmt"
	"strconv"
)

// Imported is one site read from another program, with the password it
// carried (empty when none). The password is for Secrets only.
type Imported struct {
	Site     Site
	Password string
}

// ImportResult says what Import did, for the user.
type ImportResult struct {
	Added   []string // names as saved (renamed ones carry a -2, -3 suffix)
	Secrets int      // passwords moved into Secrets
}

// Import adds sites to the store in one locked write, giving each a free
// name (NAME, NAME-2, ...) so nothing saved is overwritten, then moves the
// passwords into sec. A password that sec cannot keep (AskSecrets) is
// dropped, never written anywhere else; the error says so.
func Import(ctx context.Context, store *Store, sec Secrets, items []Imported) (ImportResult, error) {
	var res ImportResult
	var names []string
	err := store.Update(ctx, func(sites []Site) ([]Site, error) {
		taken := make(map[string]bool, len(sites)+len(items))
		for _, s := range sites {
			taken[s.Name] = true
		}
		names = names[:0]
		for _, it := range items {
			site := cloneSite(it.Site)
			site.Source = SourceBookmark
			base, name := site.Name, site.Name
			for n := 2; taken[name]; n++ {
				name = base + "-" + strconv.Itoa(n)
			}
			taken[name] = true
			site.Name = name
			names = append(names, name)
			sites = append(sites, site)
		}
		return sites, nil
	})
	if err != nil {
		return res, err
	}
	res.Added = names
	for i, it := range items {
		if it.Password == "" {
			continue
		}
		if err := sec.Set(ctx, names[i], KindPassword, it.Password); err != nil {
			return res, fmt.Errorf("save password of %q: %w", names[i], err)
		}
		res.Secrets++
	}
	return res, nil
}
