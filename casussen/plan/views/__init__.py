"""Pages of the plan: thin views that parse, call one service or selector, render."""
