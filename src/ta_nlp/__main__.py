from ta_nlp.cli import main

main()
