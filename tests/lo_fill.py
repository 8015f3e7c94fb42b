"""Fill a workbook in LibreOffice the way a user does: insert rows, type values, save as .xlsx.

Run by Debian's python3 (it has the ``uno`` module of python3-uno), never imported by the
tests themselves (the virtualenv has no ``uno``)::

    /usr/bin/python3 tests/lo_fill.py job.json

``job.json`` (one LibreOffice process serves every job)::

    {"profile": "/tmp/profile-dir",
     "jobs": [{"src": "in.xlsx", "dest": "out.xlsx", "sheet": "指标",
               "insert": [[row, count], ...], "cells": [[row, col, value], ...]}, ...]}

Rows and columns are 0-based.  Rows are inserted with the sheet's own "insert rows"
(``XTableRows.insertByIndex``), which is what the menu command does: ranges, merges and
validations below move and grow exactly as for a user.  A string value is typed as text
(even when it starts with "="), a number as a number.  Formulas are recalculated before
saving.  Exit status 0 on success; a message on stderr otherwise.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def _prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _connect(pipe: str, deadline: float) -> object:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:  # NoConnectException until soffice listens
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _fill(desktop: object, job: dict) -> None:
    doc = desktop.loadComponentFromURL(
        Path(job["src"]).resolve().as_uri(), "_blank", 0, (_prop("Hidden", True),)
    )
    try:
        sheet = doc.Sheets.getByName(job["sheet"])
        for row, count in job.get("insert", []):
            sheet.Rows.insertByIndex(row, count)
        for row, col, value in job.get("cells", []):
            cell = sheet.getCellByPosition(col, row)
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, int | float):
                cell.setValue(value)
            else:
                cell.setString(str(value))
        doc.calculateAll()
        doc.storeToURL(
            Path(job["dest"]).resolve().as_uri(),
            (_prop("FilterName", "Calc MS Excel 2007 XML"), _prop("Overwrite", True)),
        )
    finally:
        doc.close(True)


def run(job: dict) -> None:
    pipe = f"perfxl{uuid.uuid4().hex[:12]}"
    profile = Path(job["profile"]).resolve()
    soffice = subprocess.Popen(
        [
            "soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
            f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        ctx = _connect(pipe, time.monotonic() + 60)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        for one in job["jobs"]:
            _fill(desktop, one)
        with contextlib.suppress(Exception):  # the bridge drops as soffice exits
            desktop.terminate()
    finally:
        try:
            soffice.wait(timeout=20)
        except subprocess.TimeoutExpired:
            soffice.kill()
            soffice.wait()


if __name__ == "__main__":
    try:
        run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
    except Exception as exc:  # reported to the calling test
        print(f"lo_fill: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
    os._exit(0)  # the UNO bridge thread may keep the interpreter alive
