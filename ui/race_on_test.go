//go:build race

package ui

// raceOn: timings under the race detector say nothing about real speed.
const raceOn = true
