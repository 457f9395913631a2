"""The command-line layer: parses arguments, calls the library, prints, sets exit codes."""
