// The benchmarked application: express with a router, a route with a parameter, JSON out.
// Prints "listening <port>" when ready; the bench sends SIGTERM to stop it.
import express from 'express';

const app = express();
const users = express.Router();
users.get('/:id', (req, res) => {
  res.json({ id: Number(req.params.id), name: `user ${req.params.id}`, roles: ['reader'] });
});
app.use('/users', users);
app.get('/health', (req, res) => res.send('ok'));

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
