"""The store on PostgreSQL (optional extra `postgresql`: psycopg 3 and its pool)."""

from .store import PostgresStore

__all__ = ["PostgresStore"]
