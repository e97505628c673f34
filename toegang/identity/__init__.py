"""Staff identity: the login policy, second factors, sessions and single sign-on.

Part of the ``toegang`` kernel; imports ``audit`` and the kernel models only.
"""
