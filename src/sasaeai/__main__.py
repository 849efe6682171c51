from sasaeai.cli import main

main()
