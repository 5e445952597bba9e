const app = document.getElementById('app')!;
app.textContent = 'Ops hub';
