"""`python -m deployer` runs the `sumo-content` command line."""

from deployer.cli.main import main

main()
