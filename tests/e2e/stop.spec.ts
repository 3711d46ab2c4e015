import { expect, test } from './fixtures';

for (const how of ['button', 'Escape'] as const) {
  test(`stops mid-stream with the ${how}: the answer stops growing and says it was stopped`, async ({ chat, fake }) => {
    fake.configure({ tokensPerSecond: 20, replyTokens: 400 }); // 20 s if not stopped
    await chat.ask('Tell me a long story');
    const answer = chat.lastAnswer();
    const text = chat.lastAnswerText();
    await expect.poll(async () => (await text.innerText()).length, { timeout: 10_000 }).toBeGreaterThan(20);

    if (how === 'button') await chat.stop.click();
    else await chat.page.keyboard.press('Escape');

    await expect(answer).toHaveAttribute('data-status', 'stopped');
    await expect(answer.getByTestId('message-stopped')).toHaveText('Stopped');
    await expect(chat.stop).toBeHidden();
    await expect(chat.banner).toBeHidden(); // a stop is not an error
    const atStop = await text.innerText();
    expect(atStop.length).toBeGreaterThan(0);
    await chat.page.waitForTimeout(1_000); // 20 more tokens would have arrived by now
    expect(await text.innerText()).toBe(atStop);
    await expect(answer.getByTestId('stats-line')).toHaveCount(0);
    await expect(chat.composer).toBeEnabled();
  });
}
