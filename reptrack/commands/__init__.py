"""One module per sub-command; each exposes ``register(subparsers)``.

Keep module-level imports light (argparse only): heavy imports belong in the
command's ``run`` function so start-up stays fast.
"""
