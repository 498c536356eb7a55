"""One module per subcommand: ``add_parser(subparsers)`` registers it, ``execute(args)`` runs it."""
