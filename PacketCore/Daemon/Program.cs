var builder = WebApplication.CreateSlimBuilder(args);
builder.AddPacketCoreDaemon(args);

var app = builder.Build();
app.MapPacketCoreDaemon();
app.Run();
