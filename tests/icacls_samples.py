"""`icacls <path>` output as icacls prints it (its documented format: the path, then one
principal:(inheritance)(rights) entry a line, indented under the first)."""

# `icacls C:\sopbot\data` for a folder an administrator made under C:\ (inherited defaults).
INHERITED_FROM_C = """\
C:\\sopbot\\data BUILTIN\\Administrators:(I)(OI)(CI)(F)
               NT AUTHORITY\\SYSTEM:(I)(OI)(CI)(F)
               BUILTIN\\Users:(I)(OI)(CI)(RX)
               NT AUTHORITY\\Authenticated Users:(I)(M)
               NT AUTHORITY\\Authenticated Users:(I)(OI)(CI)(IO)(M)

Successfully processed 1 files; Failed processing 0 files
"""
# After the README's `icacls … /inheritance:r /grant:r` (or the bot's own ACL).
PRIVATE = """\
C:\\Program Files\\sopbot\\data BUILTIN\\Administrators:(OI)(CI)(F)
                             NT AUTHORITY\\SYSTEM:(OI)(CI)(F)
                             NT SERVICE\\sopbot:(OI)(CI)(F)

Successfully processed 1 files; Failed processing 0 files
"""
EVERYONE_READS_THE_KEY = """\
C:\\sopbot\\keys\\office-age-key.txt Everyone:(R)
                                   NT AUTHORITY\\SYSTEM:(F)
                                   CONTOSO\\noteveryone:(F)

Successfully processed 1 files; Failed processing 0 files
"""
DENIED_AND_UNRESOLVED = """\
C:\\sopbot\\.venv BUILTIN\\Users:(DENY)(W)
                *S-1-1-0:(OI)(CI)(RX)
                BUILTIN\\Administrators:(OI)(CI)(F)
"""
# Specific rights, as icacls prints an entry that is no simple right: read-and-execute plus
# delete (DE), and plain read with read-control.
SPECIFIC_RIGHTS = """\
C:\\sopbot\\.venv BUILTIN\\Users:(OI)(CI)(RX,DE)
                Everyone:(R,RC)
                BUILTIN\\Administrators:(OI)(CI)(F)
"""
