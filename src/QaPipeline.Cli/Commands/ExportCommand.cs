using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Centre.Exports;
using QaPipeline.Storage;

namespace QaPipeline.Cli.Commands;

/// <summary><c>qa export scorecards</c>: the scorecards of a period as CSV (RFC 4180, UTF-8 with BOM) or XLSX,
/// streamed from the database to the file.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var from = new Option<string?>("--from") { Description = "First day of the period (ISO 8601, UTC), inclusive" };
        var to = new Option<string?>("--to") { Description = "Last day of the period (ISO 8601, UTC), inclusive for a bare date" };
        var format = new Option<string>("--format") { Description = "csv or xlsx", Required = true };
        format.AcceptOnlyFromAmong("csv", "xlsx");
        var output = new Option<FileInfo>("--out") { Description = "File to write", Required = true };
        var reasons = new Option<bool>("--with-reasons") { Description = "Add a last column call_reasons (reason ids joined by ;)" };
        var scorecards = new Command("scorecards", "One row per scored call: ids, agent, team, queue, rubric, scores, fatal, one column per item verdict")
            { from, to, format, output, reasons };
        scorecards.SetAction(p =>
        {
            var since = PipelineCli.Date("--from", p.GetValue(from));
            var until = PipelineCli.Date("--to", p.GetValue(to), endOfPeriod: true);
            if (since is not null && until is not null && until <= since)
                throw new UserInputException("--to is before --from");
            var kind = TableExport.ParseFormat(p.GetValue(format));
            var file = p.GetValue(output)!;
            if (file.Directory is { Exists: false } dir) throw new UserInputException($"no such folder: {dir.FullName}");
            using var services = PipelineCli.Services(PipelineCli.Options());
            // Written next to the target and moved into place, so a failed export never leaves half a file under its name.
            var partial = file.FullName + ".partial";
            try
            {
                using (var stream = new FileStream(partial, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024))
                    services.GetRequiredService<ScorecardExport>().Write(stream, kind, since, until, CallScope.All, p.GetValue(reasons)).GetAwaiter().GetResult();
                File.Move(partial, file.FullName, overwrite: true);
            }
            finally
            {
                if (File.Exists(partial)) File.Delete(partial);
            }
            return 0;
        });
        return new Command("export", "Exports for reporting (CSV, XLSX)") { scorecards };
    }
}
