var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIronOrleansGateway();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapIronOrleansGateway();
await app.RunAsync();
