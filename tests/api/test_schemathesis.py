"""Property-based API testing with schemathesis against the live OpenAPI document.

Schemathesis reads /api/v1/openapi.json from the running server and generates
requests for every documented operation (valid and invalid ones), sending the
tenant's bearer token.  It checks that no response is a 5xx, that response
bodies match the documented schemas and that status codes are documented.

Knobs (environment):
    CLIENTELE_SCHEMATHESIS_MAX_EXAMPLES  examples per operation (default 15)
    CLIENTELE_SCHEMATHESIS_SEED          seed (default 20261124, fixed so CI is repeatable)
    CLIENTELE_SCHEMATHESIS_PHASES        phases (default examples,coverage,fuzzing,stateful)
    CLIENTELE_SCHEMATHESIS_MEMBER_EXAMPLES  examples per operation of the run as a restricted
                                         member (default 5; phases examples,fuzzing)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Client, Server, Tenant

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
RUN_TIMEOUT = 900  # seconds; the run is expected to take well under 3 minutes


def schemathesis_command() -> list[str]:
    beside_python = Path(sys.executable).parent / "schemathesis"
    if beside_python.exists():
        return [str(beside_python)]
    found = shutil.which("schemathesis")
    if found:
        return [found]
    pytest.fail("the schemathesis CLI is not installed (pip install -r tests/api/requirements.txt)",
                pytrace=False)


def test_openapi_document_is_served(server: Server) -> None:
    resp = Client(server.base_url, None).get("openapi.json", auth=False)
    assert resp.status_code == 200, resp.text[:500]
    doc = resp.json()
    assert str(doc.get("openapi", "")).startswith("3.1"), doc.get("openapi")
    assert doc.get("paths"), "the OpenAPI document has no paths"


def run_schemathesis(server: Server, token: str, tmp_path: Path, *, max_examples: str, phases: str) -> None:
    seed = os.environ.get("CLIENTELE_SCHEMATHESIS_SEED", "20261124")
    junit = tmp_path / "schemathesis-junit.xml"
    cmd = [
        *schemathesis_command(), "run", f"{server.base_url}/api/v1/openapi.json",
        # Paths are resolved against this origin plus the document's own base path.
        "--origin", server.base_url,
        "--header", f"Authorization: Bearer {token}",
        # Signing out would end the token the rest of the run uses.
        "--exclude-operation-id", "logout",
        "--checks", CHECKS,
        "--max-examples", max_examples,
        "--seed", seed,
        "--phases", phases,
        "--workers", "2",
        "--request-timeout", "15",
        "--generation-database", "none",
        "--generation-with-security-parameters", "false",
        "--suppress-health-check", "all",
        "--report", "junit", "--report-junit-path", str(junit),
        "--no-color",
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT, cwd=tmp_path)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"")
        text = out.decode(errors="replace") if isinstance(out, bytes) else out
        pytest.fail(f"schemathesis did not finish within {RUN_TIMEOUT}s\n{text[-6000:]}", pytrace=False)
    output = proc.stdout + ("\n--- stderr ---\n" + proc.stderr if proc.stderr.strip() else "")
    # Always show the summary in the pytest log (visible with -rA or on failure).
    print(output[-4000:])
    if proc.returncode != 0:
        pytest.fail(
            f"schemathesis reported problems (exit {proc.returncode}); output tail:\n{output[-15000:]}",
            pytrace=False,
        )


def test_schemathesis(server: Server, tenant: Tenant, tmp_path: Path) -> None:
    """As the workspace's administrator: every operation, every phase."""
    run_schemathesis(
        server, tenant.token, tmp_path,
        max_examples=os.environ.get("CLIENTELE_SCHEMATHESIS_MAX_EXAMPLES", "10"),
        phases=os.environ.get("CLIENTELE_SCHEMATHESIS_PHASES", "examples,coverage,fuzzing,stateful"),
    )


def test_schemathesis_as_a_restricted_member(server: Server, tmp_path: Path) -> None:
    """As a member whose profile gives team scope and hides a field: the same checks hold (no
    server error, answers as documented) on the paths where the rules refuse or filter."""
    owner = Tenant(server.database, "member")
    admin = owner.client(server)
    profile = admin.post("profiles", {
        "name": "Team seller",
        "permissions": {
            "contacts": {"read": "team", "create": "own", "edit": "own", "delete": "none", "merge": "own"},
            "deals": {"read": "team", "create": "own", "edit": "own", "delete": "own"},
            "companies": {"read": "all", "create": "own", "edit": "own"},
            "leads": {"read": "own", "create": "own", "edit": "own"},
            "activities": {"read": "own", "create": "own", "edit": "own", "delete": "own"},
            "notes": {"read": "own", "create": "own"},
        },
        "fields": {"deals": {"amount": "hidden"}, "contacts": {"phone_mobile": "read_only"}},
        "conditions": {"deals": {"edit": {"stage_not_in": ["won", "lost"]}}},
    })
    assert profile.status_code == 201, profile.text
    password = "member-password-1"
    email = f"member-{owner.slug}@example.test"
    user = admin.post("users", {"email": email, "name": "Member", "password": password, "profile_ids": [profile.json()["id"]]})
    assert user.status_code == 201, user.text
    signed_in = admin.post("auth/token", {"email": email, "password": password, "workspace": owner.slug}, auth=False)
    assert signed_in.status_code == 200, signed_in.text
    admin.close()
    run_schemathesis(
        server, signed_in.json()["token"], tmp_path,
        max_examples=os.environ.get("CLIENTELE_SCHEMATHESIS_MEMBER_EXAMPLES", "5"), phases="examples,fuzzing",
    )
