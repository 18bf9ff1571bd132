"""Sigma -> Cloud SIEM tables (field names per log source, Windows channels, source scopes, entity
selectors, summaries, ATT&CK tactics, severity, status) and lookups over them; conversion is convert.py's.
"""

from __future__ import annotations

from dataclasses import dataclass

from deployer.cseql.rules import SEVERITY_SCORE

from .rule import LogSource

# Field mappings written from ../shared/reference/sumo-query-language.md PART C, which summarises
# SumoLogic/pySigma-backend-sumologic `sigma/pipelines/sumologic/logsource_mappings.yaml` (0.2.5).
# Deviations (docs/sigma.md): QueryStatus -> dns_returnCode (pySigma's dns_replyCode is not in the
# normalized schema); Hashes stays raw (one field holds several hash kinds); SYSMON_COMMON maps the
# process fields every Sysmon event carries, for every Windows category.
PROCESS = {
    "CommandLine": "commandLine", "Image": "baseImage", "ParentImage": "parentBaseImage",
    "ParentCommandLine": "parentCommandLine", "ProcessId": "pid", "ParentProcessId": "parentPid",
    "CurrentDirectory": "file_path", "OriginalFileName": "file_basename", "User": "user_username",
    "LogonId": "sessionId", "IntegrityLevel": "severity", "md5": "file_hash_md5", "sha1": "file_hash_sha1",
    "sha256": "file_hash_sha256", "imphash": "file_hash_imphash", "ProcessGuid": "processUid",
    "Description": "description",
}
SYSMON_COMMON = {"Image": "baseImage", "User": "user_username", "ProcessId": "pid", "ProcessGuid": "processUid"}
NETWORK = {
    "SourceIp": "srcDevice_ip", "SourcePort": "srcPort", "DestinationIp": "dstDevice_ip", "DestinationPort": "dstPort",
    "Protocol": "ipProtocol", "Initiated": "action", "DestinationHostname": "dstDevice_hostname",
    "SourceHostname": "srcDevice_hostname",
}
DNS = {"QueryName": "dns_query", "QueryResults": "dns_reply", "QueryStatus": "dns_returnCode", "record_type": "dns_queryType"}
REGISTRY = {"TargetObject": "changeTarget", "EventType": "changeType"}
SECURITY = {
    "TargetUserName": "user_username", "SubjectUserName": "user_username", "TargetDomainName": "user_authDomain",
    "SubjectDomainName": "user_authDomain", "LogonType": "logonType", "IpAddress": "srcDevice_ip",
    "WorkstationName": "srcDevice_hostname", "Status": "errorCode", "SubStatus": "errorText",
    "LogonProcessName": "application", "AuthenticationPackageName": "authProvider",
}
PROXY = {
    "c-uri": "http_url", "cs-method": "http_method", "sc-status": "http_response_statusCode",
    "c-useragent": "http_userAgent", "cs-bytes": "bytesOut", "sc-bytes": "bytesIn",
}
CLOUDTRAIL = {"eventName": "action", "sourceIPAddress": "srcDevice_ip", "userIdentity.arn": "user_username"}
AZURE = {"operationName": "action", "callerIpAddress": "srcDevice_ip"}
M365 = {"Operation": "action", "ClientIP": "srcDevice_ip"}

SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational"
WINDOWS_HEADER = {"Provider_Name": "Provider.Name", "Computer": "Computer", "Channel": "Channel"}
"""Windows event header fields: read from `fields['<name>']`, not `fields['EventData.<name>']` (PART C step 2)."""

CHANNELS = {"sysmon": SYSMON_CHANNEL, "powershell": "PowerShell",
            "taskscheduler": "Microsoft-Windows-TaskScheduler/Operational"}
"""Log-source service -> Windows channel for `EventID`; any other service is capitalised (`security` -> Security)."""


@dataclass(frozen=True, slots=True)
class Source:
    """How one Sigma log source lands in Cloud SIEM."""

    fields: dict[str, str]
    event_ids: tuple[str, ...] = ()
    """metadata_deviceEventId values the rule is scoped to (empty: no scope)."""
    entities: tuple[tuple[str, str], ...] = (("_hostname", "device_hostname"),)
    summary: str = ""
    windows: bool = False


def _sysmon(*ids: int) -> tuple[str, ...]:
    return tuple(f"{SYSMON_CHANNEL}-{i}" for i in ids)


HOST_USER_PROCESS = (("_hostname", "device_hostname"), ("_username", "user_username"), ("_process", "baseImage"))
HOST_IP = (("_hostname", "device_hostname"), ("_ip", "srcDevice_ip"))
REGISTRY_SUMMARY = "{{baseImage}} changed {{changeTarget}} on {{device_hostname}}"

# Key: (product, category or service). Sigma categories without a product match any product.
SOURCES: dict[tuple[str, str], Source] = {
    ("windows", "process_creation"): Source(
        PROCESS, (*_sysmon(1), "Security-4688"), HOST_USER_PROCESS,
        "{{baseImage}} started on {{device_hostname}}: {{commandLine}}", True),
    ("windows", "network_connection"): Source(
        SYSMON_COMMON | NETWORK, _sysmon(3), HOST_IP,
        "{{baseImage}} on {{device_hostname}} connected to {{dstDevice_ip}}:{{dstPort}}", True),
    ("windows", "dns_query"): Source(
        SYSMON_COMMON | DNS, _sysmon(22), (("_hostname", "device_hostname"), ("_process", "baseImage")),
        "{{baseImage}} on {{device_hostname}} resolved {{dns_query}}", True),
    ("windows", "file_event"): Source(
        SYSMON_COMMON | {"TargetFilename": "file_path"}, _sysmon(11),
        (("_hostname", "device_hostname"), ("_username", "user_username"), ("_file", "file_path")),
        "{{baseImage}} wrote {{file_path}} on {{device_hostname}}", True),
    ("windows", "image_load"): Source(
        SYSMON_COMMON | {"ImageLoaded": "file_path", "Signature": "threat_identifier"}, _sysmon(7),
        (("_hostname", "device_hostname"), ("_process", "baseImage"), ("_file", "file_path")),
        "{{baseImage}} loaded {{file_path}} on {{device_hostname}}", True),
    ("windows", "registry_event"): Source(
        SYSMON_COMMON | REGISTRY, _sysmon(12, 13, 14), HOST_USER_PROCESS, REGISTRY_SUMMARY, True),
    ("windows", "registry_add"): Source(SYSMON_COMMON | REGISTRY, _sysmon(12), HOST_USER_PROCESS, REGISTRY_SUMMARY, True),
    ("windows", "registry_delete"): Source(SYSMON_COMMON | REGISTRY, _sysmon(12), HOST_USER_PROCESS, REGISTRY_SUMMARY, True),
    ("windows", "registry_set"): Source(SYSMON_COMMON | REGISTRY, _sysmon(13), HOST_USER_PROCESS, REGISTRY_SUMMARY, True),
    ("windows", "registry_rename"): Source(SYSMON_COMMON | REGISTRY, _sysmon(14), HOST_USER_PROCESS, REGISTRY_SUMMARY, True),
    # No PART C mapping: the source and target images stay raw, as built-in rule MATCH-S00822 reads them.
    ("windows", "process_access"): Source(
        {}, _sysmon(10), (("_hostname", "device_hostname"),),
        "{{fields['EventData.SourceImage']}} opened {{fields['EventData.TargetImage']}} on {{device_hostname}}", True),
    ("windows", "security"): Source(
        SECURITY, (), (("_hostname", "device_hostname"), ("_username", "user_username"), ("_ip", "srcDevice_ip")),
        windows=True),
    ("windows", "sysmon"): Source(PROCESS, (), HOST_USER_PROCESS, windows=True),
    ("linux", "process_creation"): Source(PROCESS, (), HOST_USER_PROCESS,
                                          "{{baseImage}} started on {{device_hostname}}: {{commandLine}}"),
    ("", "proxy"): Source(PROXY, (), (("_ip", "srcDevice_ip"), ("_url", "http_url")), "{{http_method}} {{http_url}}"),
    ("aws", "cloudtrail"): Source(CLOUDTRAIL, (), (("_ip", "srcDevice_ip"), ("_username", "user_username")),
                                  "{{action}} by {{user_username}}"),
    ("azure", "activitylogs"): Source(AZURE, (), (("_ip", "srcDevice_ip"),), "{{action}}"),
    ("m365", "audit"): Source(M365, (), (("_ip", "srcDevice_ip"),), "{{action}}"),
}
WINDOWS_OTHER = Source({}, windows=True)
"""Any other Windows service: every field is read raw (`fields['EventData.X']`)."""
GENERIC = Source({})
"""A log source without a table: every field is read raw (`fields['X']`)."""


def source_of(logsource: LogSource) -> tuple[Source, bool]:
    """The Source for a Sigma log source, and whether a table knew it (else fields are read raw)."""
    product = logsource.product
    for key in ((product, logsource.category), ("", logsource.category), (product, logsource.service)):
        if key in SOURCES and key[1]:
            return SOURCES[key], True
    return (WINDOWS_OTHER if product == "windows" else GENERIC), False


def channel_of(service: str, source: Source) -> str:
    """The Windows channel `EventID` belongs to (PART C step 1): by service, Sysmon for Sysmon categories."""
    if service:
        return CHANNELS.get(service, service.capitalize())
    return SYSMON_CHANNEL if any(i.startswith(SYSMON_CHANNEL) for i in source.event_ids) else "Security"


def raw_key(field: str, source: Source) -> str:
    """The key of an unmapped field in the record's `fields` map (PART C steps 2-3)."""
    if not source.windows:
        return field
    return WINDOWS_HEADER.get(field, f"EventData.{field}")

# ATT&CK tactic shortnames (Sigma tags `attack.<shortname>`) -> ids, from attack.mitre.org (Enterprise).
# ATT&CK v19 (2026) renamed TA0005 to Stealth and added Defense Impairment TA0112; Sigma rules use
# both the new and the old shortnames.
TACTICS: dict[str, tuple[str, str]] = {
    "reconnaissance": ("TA0043", "Reconnaissance"),
    "resource-development": ("TA0042", "Resource Development"),
    "initial-access": ("TA0001", "Initial Access"),
    "execution": ("TA0002", "Execution"),
    "persistence": ("TA0003", "Persistence"),
    "privilege-escalation": ("TA0004", "Privilege Escalation"),
    "defense-evasion": ("TA0005", "Defense Evasion"),
    "stealth": ("TA0005", "Stealth"),
    "defense-impairment": ("TA0112", "Defense Impairment"),
    "credential-access": ("TA0006", "Credential Access"),
    "discovery": ("TA0007", "Discovery"),
    "lateral-movement": ("TA0008", "Lateral Movement"),
    "collection": ("TA0009", "Collection"),
    "exfiltration": ("TA0010", "Exfiltration"),
    "command-and-control": ("TA0011", "Command and Control"),
    "impact": ("TA0040", "Impact"),
}

LEVELS = tuple(SEVERITY_SCORE)
"""Sigma levels are this project's detection severities, one for one (informational .. critical)."""
STATUSES = {"stable": "production", "test": "test", "experimental": "experimental", "deprecated": "deprecated"}
PROTOTYPE_STATUSES = frozenset({"test", "experimental"})
"""Sigma statuses whose imported rule starts as a Cloud SIEM prototype (pySigma: `test` -> is_prototype)."""
