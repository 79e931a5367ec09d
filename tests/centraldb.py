"""A fresh central database on the test PostgreSQL, set up as `sopbot pusat init` does, with two
offices' logins and a supervisor's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from conftest import POSTGRES_URL
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage.central import admin

BULELENG, DENPASAR = "5108", "5171"


@dataclass
class Central:
    admin_url: str
    offices: dict[str, admin.Login]
    supervisor: admin.Login

    def engine(self, login: admin.Login) -> Engine:
        return admin.central_engine(login.url)


@pytest.fixture(name="central")
def central_database() -> Iterator[Central]:
    name = f"sopbot_central_{uuid.uuid4().hex[:10]}"
    root = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with root.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = admin.central_engine(url)
    admin.upgrade(engine)
    offices = {
        BULELENG: admin.add_office(engine, BULELENG, "Disdukcapil Kabupaten Buleleng"),
        DENPASAR: admin.add_office(engine, DENPASAR, "Disdukcapil Kota Denpasar"),
    }
    supervisor = admin.add_supervisor(engine, "bali")
    yield Central(url, offices, supervisor)
    engine.dispose()
    with root.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        # Roles are server-wide: the logins of this database go with it.
        for login in [*offices.values(), supervisor]:
            connection.execute(text(f'DROP ROLE IF EXISTS "{login.role}"'))
    root.dispose()
