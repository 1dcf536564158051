"""The guided routine: the exercises of a plan in one session, the person's check-ins, and
the record the history keeps of it.

plan (what to do) -> guide (what to say next, live) -> record (what was done, and how the
back felt) -> progression (what to aim for next time).
"""
