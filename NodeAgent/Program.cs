var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNodeAgent();

var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
