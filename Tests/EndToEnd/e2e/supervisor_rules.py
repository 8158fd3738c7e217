"""The rules by which the Home Assistant Supervisor reads an add-on repository, written from its
validation code (supervisor/store/validate.py, supervisor/apps/validate.py, supervisor/apps/options.py,
supervisor/validate.py) and the add-on documentation. The Supervisor drops keys it does not know
without a word, so these checks also refuse unknown keys: a misspelt `ingres: true` would otherwise
quietly give an add-on without its web page.

Each function returns a list of problems, empty when the file is as the Supervisor wants it."""

import re
from typing import Any

import voluptuous as vol
from awesomeversion import AwesomeVersion
from awesomeversion.exceptions import AwesomeVersionException

ARCHITECTURES = {"aarch64", "amd64"}
DEPRECATED_ARCHITECTURES = {"armhf", "armv7", "i386"}
SLUG = re.compile(r"^[-_.A-Za-z0-9]+$")
SERVICE = re.compile(r"^(?P<service>mqtt|mysql):(?P<rights>provide|want|need)$")
# An option's type (options.py, RE_SCHEMA_ELEMENT), optionally ending in `?` for "optional".
SCHEMA_ELEMENT = re.compile(
    r"^(?:"
    r"|bool|email|url|port"
    r"|device(?:\((?P<filter>subsystem=[a-z]+)\))?"
    r"|str(?:\((?P<s_min>\d+)?,(?P<s_max>\d+)?\))?"
    r"|password(?:\((?P<p_min>\d+)?,(?P<p_max>\d+)?\))?"
    r"|int(?:\((?P<i_min>-?\d+)?,(?P<i_max>-?\d+)?\))?"
    r"|float(?:\((?P<f_min>-?\d*\.?\d+)?,(?P<f_max>-?\d*\.?\d+)?\))?"
    r"|match\((?P<match>.*)\)"
    r"|list\((?P<list>.+)\)"
    r")\??$"
)
# build.yaml's base images (RE_DOCKER_IMAGE_BUILD).
BUILD_IMAGE = re.compile(r"^([a-zA-Z\-\.:\d{}]+/)*?([\-\w{}]+)/([\-\w{}]+)(:[\.\-\w{}]+)?$")
IMAGE_PATH_COMPONENT = re.compile(r"^[a-z0-9{][a-z0-9.\-_{}]*$")

network_port = vol.All(vol.Coerce(int), vol.Range(min=1, max=65535))

# Every key of an add-on's config.yaml the Supervisor reads (apps/validate.py, _SCHEMA_APP_CONFIG).
CONFIG_KEYS = {
    "name", "version", "slug", "description", "arch", "machine", "url", "startup", "boot", "init",
    "advanced", "stage", "ports", "ports_description", "watchdog", "webui", "ingress", "ingress_port",
    "ingress_entry", "ingress_stream", "panel_icon", "panel_title", "panel_admin", "homeassistant",
    "host_network", "host_pid", "host_ipc", "host_uts", "host_dbus", "devices", "udev", "tmpfs", "map",
    "environment", "privileged", "apparmor", "full_access", "audio", "video", "gpio", "usb", "uart",
    "devicetree", "kernel_modules", "realtime", "hassio_api", "hassio_role", "homeassistant_api",
    "stdin", "legacy", "docker_api", "auth_api", "services", "discovery", "backup_exclude",
    "backup_pre", "backup_post", "backup", "options", "schema", "image", "ulimits", "timeout",
    "journald", "breaking_versions",
}
STARTUP = {"initialize", "system", "services", "application", "once"}
BOOT = {"auto", "manual", "manual_only"}
BACKUP = {"hot", "cold"}


def _check(problems: list[str], where: str, validator: Any, value: Any) -> None:
    try:
        validator(value)
    except vol.Invalid as error:
        problems.append(f"{where}: {error}")


def _version(value: Any) -> None:
    if not isinstance(value, str):
        raise vol.Invalid(f"must be a string (quote it), got {value!r}")
    try:
        if not AwesomeVersion(value).valid:
            raise vol.Invalid(f"not a version: {value!r}")
    except AwesomeVersionException as error:
        raise vol.Invalid(str(error)) from None


def docker_image(image: Any) -> None:
    """`image:` (supervisor/validate.py, docker_image): a registry and path, no tag."""
    if not isinstance(image, str) or not image:
        raise vol.Invalid("must be a non-empty string")
    first, _, rest = image.partition("/")
    path = rest if rest and ("." in first or ":" in first or first == "localhost") else image
    if ":" in path:
        raise vol.Invalid(f"must not carry a tag (the Supervisor adds the version): {image}")
    for component in path.split("/"):
        if not IMAGE_PATH_COMPONENT.match(component):
            raise vol.Invalid(f"invalid path component {component!r} in {image}")


def repository_problems(repository: Any) -> list[str]:
    """repository.yaml (store/validate.py, SCHEMA_REPOSITORY_CONFIG)."""
    schema = vol.Schema({vol.Required("name"): str, vol.Optional("url"): vol.Url(), vol.Optional("maintainer"): str})
    problems: list[str] = []
    _check(problems, "repository.yaml", schema, repository)
    return problems


def schema_element_problems(key: str, element: Any) -> list[str]:
    """One entry of `schema:`: a type, a list of one type or mapping, or a mapping."""
    if isinstance(element, str):
        if not SCHEMA_ELEMENT.match(element):
            return [f"schema.{key}: unknown type {element!r}"]
        match = SCHEMA_ELEMENT.match(element)
        if match and match.group("match") is not None:
            try:
                re.compile(match.group("match"))
            except re.error as error:
                return [f"schema.{key}: the pattern of {element!r} is no regular expression: {error}"]
        return []
    if isinstance(element, list):
        if len(element) != 1 or isinstance(element[0], list):
            return [f"schema.{key}: a list holds exactly one type or mapping"]
        return schema_element_problems(key, element[0])
    if isinstance(element, dict):
        return [problem for name, nested in element.items() for problem in schema_element_problems(f"{key}.{name}", nested)]
    return [f"schema.{key}: expected a type, a list or a mapping, got {element!r}"]


def _is_optional(element: Any) -> bool:
    if isinstance(element, list) and element:
        element = element[0]
    return isinstance(element, str) and element.endswith("?")


def option_value_problems(key: str, element: Any, value: Any) -> list[str]:
    """A value of `options:` checked against its type, as the Supervisor checks the options a user
    saves (apps/options.py, AppOptions). `null` marks an option the user must fill in."""
    if isinstance(element, list):
        if not isinstance(value, list):
            return [f"options.{key}: expected a list, got {value!r}"]
        return [problem for item in value for problem in option_value_problems(key, element[0], item)]
    if isinstance(element, dict):
        if not isinstance(value, dict):
            return [f"options.{key}: expected a mapping, got {value!r}"]
        return [problem for name, item in value.items() for problem in option_value_problems(f"{key}.{name}", element.get(name, "?"), item)]
    if value is None:
        return [] if not element.endswith("?") else [f"options.{key}: an optional option is left out of `options`, not null"]
    match = SCHEMA_ELEMENT.match(element)
    if match is None:
        return []  # reported by schema_element_problems
    bounds = {name[2:]: float(found) for name in ("i_min", "i_max", "f_min", "f_max", "s_min", "s_max", "p_min", "p_max") if (found := match.group(name))}
    kind = element.rstrip("?")
    validators = {
        "str": vol.All(str, vol.Length(**bounds)), "password": vol.All(str, vol.Length(**bounds)),
        "int": vol.All(vol.Coerce(int), vol.Range(**bounds)), "float": vol.All(vol.Coerce(float), vol.Range(**bounds)),
        "bool": vol.Boolean(), "email": vol.Email(), "url": vol.Url(), "port": network_port,
    }
    for prefix, validator in validators.items():
        if kind.startswith(prefix):
            problems: list[str] = []
            _check(problems, f"options.{key}", validator, value)
            return problems
    if kind.startswith("match"):
        return [] if re.match(match.group("match"), str(value)) else [f"options.{key}: {value!r} does not match {element}"]
    if kind.startswith("list"):
        allowed = match.group("list").split("|")
        return [] if str(value) in allowed else [f"options.{key}: {value!r} is not one of {allowed}"]
    return []


def config_problems(config: Any) -> list[str]:
    """An add-on's config.yaml (apps/validate.py, _SCHEMA_APP_CONFIG and its checks)."""
    if not isinstance(config, dict):
        return ["config.yaml must be a mapping"]
    problems = [f"unknown key {key!r} (the Supervisor would ignore it)" for key in sorted(set(config) - CONFIG_KEYS)]
    for key in ("name", "version", "slug", "description", "arch"):
        if key not in config:
            problems.append(f"missing required key {key!r}")
    _check(problems, "name", vol.Schema(str), config.get("name", ""))
    _check(problems, "description", vol.Schema(str), config.get("description", ""))
    _check(problems, "version", _version, config.get("version"))
    if not SLUG.match(str(config.get("slug", ""))):
        problems.append(f"slug: {config.get('slug')!r} is not a slug")
    architectures = config.get("arch")
    if not isinstance(architectures, list) or not architectures:
        problems.append("arch: a non-empty list")
    else:
        for arch in architectures:
            if arch in DEPRECATED_ARCHITECTURES:
                problems.append(f"arch: {arch} is deprecated by the Supervisor")
            elif arch not in ARCHITECTURES:
                problems.append(f"arch: unknown architecture {arch!r}")
    if "url" in config:
        _check(problems, "url", vol.Url(), config["url"])
    for key, allowed in (("startup", STARTUP), ("boot", BOOT), ("backup", BACKUP)):
        if key in config and config[key] not in allowed:
            problems.append(f"{key}: {config[key]!r} is not one of {sorted(allowed)}")
    for key in ("init", "ingress", "ingress_stream", "panel_admin", "homeassistant_api", "hassio_api", "auth_api", "host_network", "stdin"):
        if key in config and not isinstance(config[key], bool):
            problems.append(f"{key}: expected true or false, got {config[key]!r}")
    if "ingress_port" in config:
        _check(problems, "ingress_port", vol.Any(network_port, vol.Equal(0)), config["ingress_port"])
    for key in ("panel_icon", "panel_title", "ingress_entry"):
        if key in config and not isinstance(config[key], str):
            problems.append(f"{key}: expected a string")
    if "panel_icon" in config and not str(config["panel_icon"]).startswith("mdi:"):
        problems.append("panel_icon: a Material Design icon such as mdi:meter-electric")
    for service in config.get("services", []):
        if not SERVICE.match(str(service)):
            problems.append(f"services: {service!r} is not <mqtt|mysql>:<provide|want|need>")
    if "image" in config:
        _check(problems, "image", docker_image, config["image"])
    options = config.get("options", {})
    schema = config.get("schema", {})
    if not isinstance(options, dict) or not isinstance(schema, dict):
        return problems + ["options and schema must be mappings"]
    for key, element in schema.items():
        problems += schema_element_problems(key, element)
    for key, value in options.items():
        if key not in schema:
            problems.append(f"options.{key} has no schema (the Supervisor drops it)")
        else:
            problems += option_value_problems(key, schema[key], value)
    for key, element in schema.items():
        if key not in options and not _is_optional(element):
            problems.append(f"schema.{key} is not in options, so its type must end with ? (the Supervisor refuses to start the add-on otherwise)")
    return problems


def translation_problems(translation: Any, schema: dict[str, Any], language: str) -> list[str]:
    """translations/<language>.yaml (apps/validate.py, SCHEMA_APP_TRANSLATIONS), and that it names
    every option of the schema and nothing else, with a description for each."""
    field = vol.Schema({vol.Required("name"): str, vol.Optional("description"): vol.Maybe(str), vol.Optional("fields"): {str: vol.Self}})
    shape = vol.Schema({vol.Optional("configuration"): {str: field}, vol.Optional("network"): {str: str}})
    problems: list[str] = []
    _check(problems, f"translations/{language}.yaml", shape, translation)
    if problems:
        return problems
    if not isinstance(translation, dict):
        return [f"translations/{language}.yaml must be a mapping"]
    configuration = translation.get("configuration", {})
    for key in sorted(set(schema) - set(configuration)):
        problems.append(f"translations/{language}.yaml: option {key} has no translation")
    for key in sorted(set(configuration) - set(schema)):
        problems.append(f"translations/{language}.yaml: {key} is no option of config.yaml")
    for key, entry in configuration.items():
        if not (entry.get("name") or "").strip() or not (entry.get("description") or "").strip():
            problems.append(f"translations/{language}.yaml: {key} needs a name and a description")
    return problems


def build_problems(build: Any, architectures: list[str]) -> list[str]:
    """build.yaml (apps/validate.py, SCHEMA_BUILD_CONFIG): a base image for each architecture."""
    schema = vol.Schema({
        vol.Optional("build_from"): vol.Any(vol.Match(BUILD_IMAGE), {vol.In(ARCHITECTURES | DEPRECATED_ARCHITECTURES): vol.Match(BUILD_IMAGE)}),
        vol.Optional("squash"): vol.Boolean(),
        vol.Optional("args"): {str: str},
        vol.Optional("labels"): {str: str},
    })
    problems: list[str] = []
    _check(problems, "build.yaml", schema, build)
    if not problems and isinstance(build.get("build_from"), dict) and set(build["build_from"]) != set(architectures):
        problems.append(f"build.yaml: base images for {sorted(build['build_from'])}, config.yaml's arch is {sorted(architectures)}")
    return problems
