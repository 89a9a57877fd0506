// Command lockstep runs machine-learning flows reproducibly and records
// everything they used and made. See README.md.
package main

import (
	"os"

	"lockstep.dev/lockstep/internal/cli"
)

func main() { os.Exit(cli.Execute(os.Args[1:])) }
