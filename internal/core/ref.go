package core

import "strings"

// SplitRef splits a reference to a task's output, TASK.OUTPUT, where TASK
// is a step ("train") or an item of a foreach step ("train[lr=0.1,seed=2]",
// whose values may hold dots): the dot that separates is the first one
// after the closing bracket, or the first one when there is no bracket.
func SplitRef(ref string) (task, output string, ok bool) {
	if open := strings.IndexByte(ref, '['); open >= 0 && open < strings.IndexByte(ref+".", '.') {
		end := strings.IndexByte(ref[open:], ']')
		if end < 0 {
			return ref, "", false
		}
		end += open + 1
		if end == len(ref) {
			return ref, "", false
		}
		if ref[end] != '.' {
			return ref, "", false
		}
		return ref[:end], ref[end+1:], true
	}
	return strings.Cut(ref, ".")
}
