package sbomdiff

import (
	"fmt"
	"testing"

	"github.com/runwayhq/runway"
)

// BenchmarkDiff compares two inventories of 2,000 components, the size of
// a large web app's lockfile, where one component in ten changed.
func BenchmarkDiff(b *testing.B) {
	before, after := &runway.Inventory{}, &runway.Inventory{}
	for i := range 2000 {
		name := fmt.Sprintf("pkg-%d", i%1800) // 200 packages at two versions
		c := runway.Component{Ecosystem: "npm", Name: name, Version: fmt.Sprintf("%d.%d.0", 1+i/1800, i%7),
			Licenses: []string{[]string{"MIT", "ISC", "Apache-2.0", "MIT OR Apache-2.0"}[i%4]}, Dev: i%9 == 0}
		before.Components = append(before.Components, c)
		switch i % 10 {
		case 1:
			c.Version = fmt.Sprintf("%d.%d.1", 1+i/1800, i%7)
		case 2:
			c.Name += "-next"
		case 3:
			c.Licenses = []string{"GPL-3.0-only"}
		}
		after.Components = append(after.Components, c)
	}
	b.ReportAllocs()
	for b.Loop() {
		if Diff(before, after).Empty() {
			b.Fatal("no change found")
		}
	}
}
