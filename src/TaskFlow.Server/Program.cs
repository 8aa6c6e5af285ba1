using TaskFlow.Server.Cli;

return await TaskFlowCommand.Create().Parse(args).InvokeAsync();
