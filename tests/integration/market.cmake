# Market service (issue 6) end to end through the CLI.
