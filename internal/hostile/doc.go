// Package hostile holds only tests: fleetbench's commands run as a user
// runs them (built binaries, real files, real signals) against input a
// hostile or careless user gives, each case checked for its exit status,
// its message, what it leaves on disk, and that it ends within 5 s and
// 200 MB.
package hostile
