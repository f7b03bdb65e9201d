// A process that holds an atomic write open until it is signalled (atomic.test.ts). argv: output [mode]
// mode 'hold': write a little, say "ready", wait; 'commit': write and close at once.
import { AtomicFile } from './atomic.js';

const [out, mode = 'hold'] = process.argv.slice(2);
const f = new AtomicFile(out!);
f.text('partial row\n'.repeat(1000));
f.flush();
if (mode === 'commit') {
  f.close();
} else {
  process.stdout.write(`ready ${f.tempPath}\n`);
  setInterval(() => {}, 1000);
}
