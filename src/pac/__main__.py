from pac.cli.app import main

main()
