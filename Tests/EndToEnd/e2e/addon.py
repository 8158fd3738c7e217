"""The Home Assistant add-on's files (home-assistant-addon/ and repository.yaml at the root)."""

import subprocess
from pathlib import Path
from typing import Any

import yaml

REPOSITORY = Path(__file__).resolve().parents[3]
ADDON = REPOSITORY / "home-assistant-addon"


def addon_config() -> dict[str, Any]:
    return yaml.safe_load((ADDON / "config.yaml").read_text())


def tracked_files() -> list[str]:
    """What "Add repository" clones: the files in git, not a developer's build folders."""
    listing = subprocess.run(["git", "ls-files"], cwd=REPOSITORY, check=True, capture_output=True, text=True).stdout
    return listing.splitlines()


def dockerfile_environment() -> dict[str, str]:
    """`ENV` of the add-on image's last stage (`ENV A=1 \\` continued lines, values without spaces)."""
    logical: list[str] = []
    current = ""
    for line in (ADDON / "Dockerfile").read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
        else:
            logical.append(current + stripped)
            current = ""
    last_stage = max(index for index, instruction in enumerate(logical) if instruction.upper().startswith("FROM "))
    environment: dict[str, str] = {}
    for instruction in logical[last_stage:]:
        keyword, _, arguments = instruction.partition(" ")
        if keyword.upper() == "ENV":
            for pair in arguments.split():
                name, _, value = pair.partition("=")
                environment[name] = value
    return environment
