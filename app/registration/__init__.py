"""Participant registration: the public form, the participant's private page, and the organisers'
participant table, waiting list, check-in and erasure."""
