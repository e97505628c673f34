"""Pages of the consultants, team leads and policy advisors (thin: parse, call, render)."""
