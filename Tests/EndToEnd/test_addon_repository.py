"""The Home Assistant add-on repository as the Supervisor reads it after "Add repository" with this
repository's URL: repository.yaml, the add-on's config.yaml, translations, build.yaml, icons and
documents, checked by the Supervisor's rules (e2e/supervisor_rules.py); and the release workflow and
the Dockerfiles, checked by actionlint and hadolint. No processes, no network: these run in seconds."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image

from e2e.addon import ADDON, REPOSITORY, addon_config, dockerfile_environment, tracked_files
from e2e.supervisor_rules import build_problems, config_problems, repository_problems, translation_problems

LANGUAGES = ["de", "en"]


def load(path: Path) -> object:
    return yaml.safe_load(path.read_text())


def test_repository_yaml_is_what_the_supervisor_reads() -> None:
    assert repository_problems(load(REPOSITORY / "repository.yaml")) == []


def test_the_supervisor_finds_exactly_one_add_on() -> None:
    """The Supervisor takes every config.json/yaml/yml outside dot-folders and rootfs/ for an add-on
    (store/data.py); those that are none are skipped with a warning in its log."""
    candidates = [path for path in tracked_files() if re.search(r"(^|/)config\.(json|ya?ml)$", path)
                  and not any(part.startswith(".") or part == "rootfs" for part in Path(path).parts)]
    add_ons = [path for path in candidates if not config_problems(load(REPOSITORY / path))]
    assert add_ons == [f"{ADDON.name}/config.yaml"], f"candidates {candidates}"


def test_config_yaml_follows_the_supervisors_rules() -> None:
    assert config_problems(addon_config()) == []


def test_config_yaml_asks_for_what_the_bridge_needs() -> None:
    config = addon_config()
    assert config["services"] == ["mqtt:need"]
    assert config["homeassistant_api"] is True
    assert config["ingress"] is True and config.get("panel_title") and config.get("panel_icon")
    assert set(config["arch"]) == {"aarch64", "amd64"}
    # The web page is the bridge's HTTP server: the ingress port is its port, set in the Dockerfile.
    environment = dockerfile_environment()
    assert environment["CKW2MQTT_HTTP_ENABLED"] == "true"
    assert environment["CKW2MQTT_HTTP_HOST"] == "0.0.0.0"
    assert int(environment["CKW2MQTT_HTTP_PORT"]) == config["ingress_port"]
    # The login lives in the state directory: /data survives updates and is part of backups.
    assert environment["CKW2MQTT_BRIDGE_STATE_DIRECTORY"] == "/data"
    assert "image" not in config, "without published images for this version the Supervisor could not install it"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_name_every_option(language: str) -> None:
    schema = addon_config()["schema"]
    assert translation_problems(load(ADDON / "translations" / f"{language}.yaml"), schema, language) == []


def test_build_yaml_has_a_debian_base_for_each_architecture() -> None:
    config = addon_config()
    build = load(ADDON / "build.yaml")
    assert build_problems(build, config["arch"]) == []
    # The Swift binary needs glibc: Home Assistant's Debian base images, of the release the Swift
    # image of the Dockerfile's build stage is built on.
    swift_image = re.search(r"^ARG SWIFT_IMAGE=(\S+)$", (ADDON / "Dockerfile").read_text(), re.MULTILINE)
    assert swift_image, "the Dockerfile names its Swift image in ARG SWIFT_IMAGE"
    release = swift_image.group(1).rsplit("-", 1)[-1]
    for arch, image in build["build_from"].items():
        assert image == f"ghcr.io/home-assistant/{arch}-base-debian:{release}"


def test_icon_and_logo_are_the_sizes_the_add_on_store_shows() -> None:
    with Image.open(ADDON / "icon.png") as icon:
        assert (icon.format, icon.size) == ("PNG", (128, 128))
    with Image.open(ADDON / "logo.png") as logo:
        assert logo.format == "PNG"
        width, height = logo.size
        assert 200 <= width <= 300 and 80 <= height <= 120, logo.size


def test_versions_agree() -> None:
    """The Supervisor builds the tag v<version> of config.yaml; the bridge reports its own version."""
    version = addon_config()["version"]
    bridge_version = re.search(r'current = "([^"]+)"', (REPOSITORY / "Sources/Bridge/Support/BridgeVersion.swift").read_text())
    assert bridge_version and bridge_version.group(1) == version
    newest = re.search(r"^## (\S+)", (ADDON / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert newest and newest.group(1) == version, "CHANGELOG.md's newest entry"


def test_docs_lead_a_user_with_only_the_home_assistant_ui() -> None:
    docs = (ADDON / "DOCS.md").read_text()
    assert load(REPOSITORY / "repository.yaml")["url"] in docs, "the URL to add in the add-on store"
    for step in ["Add-on store", "Mosquitto", "Log in to CKW", "Energy", "statistics"]:
        assert step in docs, step
    for option in addon_config()["schema"]:
        assert f"`{option}`" in docs, f"DOCS.md does not explain {option}"
    for image in re.findall(r"\]\(([^)]+\.png)\)", docs):
        assert image.startswith("https://") or (ADDON / image).resolve().is_relative_to(REPOSITORY), image
    assert "docker exec" not in docs and "SSH" not in docs


def tool(name: str) -> str:
    """A linter installed with the test requirements, next to this Python."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} not found: install Tests/EndToEnd/requirements.txt (scripts/setup-python-test-env)"
    return found


def test_workflows_pass_actionlint() -> None:
    workflows = sorted(str(path) for path in (REPOSITORY / ".github/workflows").glob("*.y*ml"))
    assert workflows
    result = subprocess.run([tool("actionlint"), "-no-color", *workflows], cwd=REPOSITORY, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfiles_pass_hadolint() -> None:
    dockerfiles = ["Dockerfile", f"{ADDON.name}/Dockerfile"]
    result = subprocess.run([tool("hadolint"), "--config", ".hadolint.yaml", *dockerfiles], cwd=REPOSITORY, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_the_add_on_files_name_exists() -> None:
    files = [path for path in ADDON.rglob("*") if path.suffix in {"", ".md", ".yaml", ".sh"} and path.is_file()]
    named = {name for path in files + [REPOSITORY / "docs/deployment.md"] for name in re.findall(r"\.github/workflows/[\w.-]+\.ya?ml", path.read_text(errors="replace"))}
    assert named, "the add-on's files say which workflow publishes its images"
    assert [name for name in sorted(named) if not (REPOSITORY / name).is_file()] == []


def test_one_repository_url_everywhere() -> None:
    """The URL users add is the one the Dockerfile clones the release from and config.yaml links to."""
    url = load(REPOSITORY / "repository.yaml")["url"]
    clone = re.search(r"^ARG CKW2MQTT_REPOSITORY=(\S+)$", (ADDON / "Dockerfile").read_text(), re.MULTILINE)
    assert clone and clone.group(1) == url
    assert addon_config()["url"].startswith(f"{url}/")
    for document in [REPOSITORY / "README.md", REPOSITORY / "docs/deployment.md"]:
        assert url in document.read_text(), document.name
