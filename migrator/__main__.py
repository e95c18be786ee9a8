from migrator.cli import group_main

raise SystemExit(group_main())
