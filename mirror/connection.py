"""Where the Neo4j server is and how to log in; one clear sentence when that fails.

Settings come, in this order, from command options, the environment (`NEO4J_URI`,
`NEO4J_USER`, `NEO4J_PASSWORD`, `NEO4J_DATABASE`) and a TOML file
(`$CITYDIPLO_NEO4J_CONFIG`, default `~/.config/citydiplo/neo4j.toml`) with the keys `uri`,
`user`, `password` and `database`. The password is kept out of every message and `repr`.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import neo4j
from neo4j import exceptions as neo4j_errors

from ..errors import CitydiploError

# The driver logs its retries; the one sentence of a Neo4jError says what went wrong.
logging.getLogger("neo4j").addHandler(logging.NullHandler())
logging.getLogger("neo4j").propagate = False

DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_USER = "neo4j"
CONFIG_ENV = "CITYDIPLO_NEO4J_CONFIG"
# Neo4j 5 is the first version with the Cypher this module writes (relationship uniqueness
# constraints, `IS NOT NULL` syntax, `elementId`).
MINIMUM_MAJOR_VERSION = 5


class Neo4jError(CitydiploError):
    """Neo4j cannot be reached, refuses the login, is too old, or rejects a statement."""


@dataclass(frozen=True)
class Neo4jSettings:
    """How to reach one Neo4j database. `password` None means a server without auth."""

    uri: str = DEFAULT_URI
    user: str = DEFAULT_USER
    password: str | None = field(default=None, repr=False)
    database: str | None = None

    @property
    def where(self) -> str:
        """The server and database for messages (never the password)."""
        return f"{self.uri} (database {self.database or 'default'})"


def config_path() -> Path:
    explicit = os.environ.get(CONFIG_ENV)
    return Path(explicit) if explicit else Path.home() / ".config" / "citydiplo" / "neo4j.toml"


def _config_file() -> dict[str, str]:
    path = config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise Neo4jError(f"cannot read the Neo4j settings in {path}: {error}") from error
    unknown = sorted(set(data) - {"uri", "user", "password", "database"})
    if unknown:
        raise Neo4jError(
            f"{path} has unknown key(s) {', '.join(unknown)}; the keys are uri, user, "
            "password and database"
        )
    return {key: str(value) for key, value in data.items()}


def resolve_settings(
    uri: str | None = None,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
) -> Neo4jSettings:
    """The settings to use: each from the option, else the environment, else the file."""
    file = _config_file()

    def pick(option: str | None, env: str, key: str) -> str | None:
        return option or os.environ.get(env) or file.get(key)

    return Neo4jSettings(
        uri=pick(uri, "NEO4J_URI", "uri") or DEFAULT_URI,
        user=pick(user, "NEO4J_USER", "user") or DEFAULT_USER,
        password=pick(password, "NEO4J_PASSWORD", "password"),
        database=pick(database, "NEO4J_DATABASE", "database"),
    )


@contextmanager
def connect(settings: Neo4jSettings) -> Iterator[neo4j.Driver]:
    """A driver that has logged in and checked the server's version; closed afterwards."""
    auth = (settings.user, settings.password) if settings.password is not None else None
    try:
        driver = neo4j.GraphDatabase.driver(
            settings.uri, auth=auth, notifications_min_severity="OFF"
        )
    except (ValueError, neo4j_errors.ConfigurationError) as error:
        raise Neo4jError(
            f"{settings.uri!r} is not a Neo4j address; use bolt://HOST:PORT or neo4j://HOST:PORT"
        ) from error
    try:
        _check_server(driver, settings)
        yield driver
    finally:
        driver.close()


def _check_server(driver: neo4j.Driver, settings: Neo4jSettings) -> None:
    try:
        # Fails at once, where a query would be retried for a minute first.
        driver.verify_connectivity()
        records, _, _ = driver.execute_query(
            "CALL dbms.components() YIELD name, versions RETURN versions[0] AS version",
            database_=settings.database,
        )
    except neo4j_errors.AuthError as error:
        raise Neo4jError(
            f"Neo4j at {settings.uri} refused user {settings.user!r}: check the password "
            "(--password, NEO4J_PASSWORD or the settings file)"
        ) from error
    except (neo4j_errors.ServiceUnavailable, OSError) as error:
        raise Neo4jError(
            f"cannot reach Neo4j at {settings.uri}: is the server running and is the address "
            "right (--uri, NEO4J_URI)?"
        ) from error
    except neo4j_errors.Neo4jError as error:
        raise Neo4jError(f"Neo4j at {settings.where} refused to answer: {error.message}") from error
    version = str(records[0]["version"]) if records else "unknown"
    major = version.split(".")[0]
    if not major.isdigit() or int(major) < MINIMUM_MAJOR_VERSION:
        raise Neo4jError(
            f"Neo4j at {settings.uri} runs version {version}; citydiplo needs Neo4j "
            f"{MINIMUM_MAJOR_VERSION} or later"
        )


def run(
    driver: neo4j.Driver,
    settings: Neo4jSettings,
    cypher: str,
    *,
    autocommit: bool = False,
    **parameters: object,
) -> list[dict[str, Any]]:
    """Run one statement (parameters bound, never spliced) and return its rows as dicts.

    `autocommit` runs it outside a managed transaction, as `CALL … IN TRANSACTIONS` needs.
    """
    try:
        if autocommit:
            with driver.session(database=settings.database) as session:
                return [record.data() for record in session.run(cypher, parameters)]
        records, _, _ = driver.execute_query(
            cypher, parameters_=parameters, database_=settings.database
        )
    except neo4j_errors.Neo4jError as error:
        raise Neo4jError(
            f"Neo4j at {settings.where} rejected the statement: {error.message}"
        ) from error
    except (neo4j_errors.DriverError, OSError) as error:
        raise Neo4jError(f"the connection to Neo4j at {settings.uri} failed: {error}") from error
    return [record.data() for record in records]
