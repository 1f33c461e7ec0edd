"""PDF output: producing files in workers, imposing booklets, preflight."""
