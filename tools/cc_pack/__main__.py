from cc_pack.cli import main

main()
