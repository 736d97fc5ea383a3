"""Packs: the signed, optionally encrypted export a manager and a MASH can trust (DESIGN.md §4).

``build`` assembles, ``verify`` checks, ``review`` countersigns, ``safezip`` reads untrusted ZIPs,
``manifest`` is the canonical JSON, ``pdf`` renders from the form definitions.
"""
