"""E-mail accounts for every role but the customer (issue 13)."""
