"""``python -m app.demo [--if-empty]``: fill the database with the demo data, print the logins."""

from app.demo import main

main()
