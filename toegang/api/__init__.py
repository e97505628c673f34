"""REST API plumbing shared by every app: token authentication and problem+json errors."""
