import BusCLI

RunAgentMain.main()
