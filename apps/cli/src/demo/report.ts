/** Demo stage `report`: the HTML report of everything the stages before it wrote. */
import type { DemoStage } from '../commands/demo-stage.js';

export const reportStage: DemoStage = {
  name: 'report',
  title: 'one self-contained HTML page with the tables and figures (report.html)',
  seconds: { quick: 4, full: 4 },
  async run(ctx) {
    const { writeReport } = await import('../report/index.js');
    const r = await writeReport(ctx.outDir);
    ctx.log(`wrote ${r.out} (${(r.bytes / 1024).toFixed(0)} kB; open it in a browser, it needs no network)`);
    return undefined;
  },
};
