from cc_pack.cli import main

main(prog_name="cc-pack")
