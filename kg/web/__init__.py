"""HTTP interface."""
