"""deploys.txt: the deploy markers of the incident, one `RFC3339-time version` a line."""

from .common import rfc3339, write
from .story import DEPLOY, DEPLOY_VERSION, ROLLBACK, ROLLBACK_VERSION


def write_markers():
    write("deploys.txt", ("# deploy markers for the sample incident: RFC 3339 UTC time, then the version\n"
                          "%s %s\n%s %s\n" % (rfc3339(DEPLOY), DEPLOY_VERSION, rfc3339(ROLLBACK), ROLLBACK_VERSION)).encode())
