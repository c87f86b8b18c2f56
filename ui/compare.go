package ui

import "time"

// mtimeSlack absorbs servers that keep only whole seconds (or FAT's two).
const mtimeSlack = 2 * time.Second

// toggleCompare marks, on each side, entries that are newer, missing on the
// other side, or of a different size; pressing it again clears the marks.
func (a *App) toggleCompare() {
	a.compareOn = !a.compareOn
	if !a.compareOn {
		for _, p := range a.panes {
			for i := range p.items {
				p.items[i].cmp = cmpNone
			}
		}
		a.setStatus("comparison off")
		return
	}
	a.compare()
}

// compare recomputes the marks; it runs again after each listing while on.
func (a *App) compare() {
	l, r := a.panes[0], a.panes[1]
	idx := func(p *pane) map[string]int {
		m := make(map[string]int, len(p.items))
		for i := range p.items {
			m[p.items[i].e.Name] = i
		}
		return m
	}
	li, ri := idx(l), idx(r)
	counts := [2]int{}
	mark := func(p *pane, other *pane, oi map[string]int, side int) {
		for i := range p.items {
			it := &p.items[i]
			j, ok := oi[it.e.Name]
			switch {
			case !ok:
				it.cmp = cmpMissing
			case it.e.IsDir() || other.items[j].e.IsDir():
				it.cmp = cmpSame
			case it.e.ModTime.After(other.items[j].e.ModTime.Add(mtimeSlack)) && !other.items[j].e.ModTime.IsZero():
				it.cmp = cmpNewer
			case it.e.Size != other.items[j].e.Size:
				it.cmp = cmpDiffer
			case other.items[j].e.ModTime.After(it.e.ModTime.Add(mtimeSlack)):
				it.cmp = cmpOlder
			default:
				it.cmp = cmpSame
			}
			if it.cmp != cmpSame && it.cmp != cmpOlder {
				counts[side]++
			}
		}
	}
	mark(l, r, ri, 0)
	mark(r, l, li, 1)
	a.setStatus("compare: left " + itoa(counts[0]) + " newer/missing/different, right " + itoa(counts[1]) + " (= again clears)")
}
