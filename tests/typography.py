"""The spaces French typography puts where English has none or an ordinary one."""

# Before a colon, and inside a time ("14 h 00").
NBSP = "\N{NO-BREAK SPACE}"
# Before ; ! ? and inside « guillemets ».
NNBSP = "\N{NARROW NO-BREAK SPACE}"

EN_DASH = "\N{EN DASH}"


def at(hour, minute=0):
    """A clock time as French writes it: "14 h 00", its spaces no-break."""
    return f"{hour}{NBSP}h{NBSP}{minute:02d}"
